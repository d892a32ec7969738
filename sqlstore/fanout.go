package sqlstore

import (
	"encoding/json"
	"sync"

	"github.com/hfgate/hfgate"
)

// fanout hands revocations to the Store's subscribers: from the listener
// or the log poller, and from the writer of a revocation made here.
type fanout struct {
	mu   sync.Mutex
	next int
	subs map[int]func(hfgate.Revocation)
	wake chan struct{} // kicks the log poller after a local commit
	once sync.Once
}

func (f *fanout) wakeup() chan struct{} {
	f.once.Do(func() { f.wake = make(chan struct{}, 1) })
	return f.wake
}

// kick tells the log poller to read the log now rather than at its next
// tick: a revocation this process committed reaches its own caches at once.
func (f *fanout) kick() {
	select {
	case f.wakeup() <- struct{}{}:
	default:
	}
}

// OnRevocation implements hfgate.RevocationNotifier.
func (s *Store) OnRevocation(fn func(hfgate.Revocation)) (stop func()) {
	f := &s.fan
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(hfgate.Revocation){}
	}
	id := f.next
	f.next++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
	}
}

func (f *fanout) deliver(r hfgate.Revocation) {
	f.mu.Lock()
	subs := make([]func(hfgate.Revocation), 0, len(f.subs))
	for _, fn := range f.subs {
		subs = append(subs, fn)
	}
	f.mu.Unlock()
	for _, fn := range subs {
		fn(r)
	}
}

// deliverPayload delivers a revocation as announced (JSON). One that does
// not parse came from something else on the channel, or a newer hfgate:
// drop everything rather than guess.
func (f *fanout) deliverPayload(payload string) {
	var r hfgate.Revocation
	if err := json.Unmarshal([]byte(payload), &r); err != nil {
		r = hfgate.Revocation{All: true}
	}
	f.deliver(r)
}

// lost tells subscribers to drop everything: revocations may have been
// missed.
func (f *fanout) lost() { f.deliver(hfgate.Revocation{All: true}) }
