package sqlstore

import (
	"encoding/json"
	"sync"

	"github.com/hfgate/hfgate"
)

// fanout hands revocations to the Store's subscribers: from the listener
// or the log poller, and from the writer of a revocation made here.
type fanout struct {
	// origin names this Store in what it announces, so that its own
	// announcements, which reach its subscribers at commit, are not
	// delivered a second time when they come back over the channel or log.
	origin string

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

// announcement is a revocation as a Store announces it to every process.
type announcement struct {
	hfgate.Revocation
	Origin string `json:"origin,omitempty"`
}

// payload returns r as this Store announces it.
func (f *fanout) payload(r hfgate.Revocation) (string, error) {
	b, err := json.Marshal(announcement{Revocation: r, Origin: f.origin})
	return string(b), err
}

// deliverPayload delivers a revocation as announced (JSON), unless this
// Store announced it (its subscribers had it at commit). One that does not
// parse came from something else on the channel, or a newer hfgate: drop
// everything rather than guess.
func (f *fanout) deliverPayload(payload string) {
	var a announcement
	if err := json.Unmarshal([]byte(payload), &a); err != nil {
		a = announcement{Revocation: hfgate.Revocation{All: true}}
	}
	if a.Origin != "" && a.Origin == f.origin {
		return
	}
	f.deliver(a.Revocation)
}

// lost tells subscribers to drop everything: revocations may have been
// missed.
func (f *fanout) lost() { f.deliver(hfgate.Revocation{All: true}) }
