package hfgate

// Revocation tells the replicas sharing a store to forget what they cached
// of something that was revoked or changed: one token, a token family, one
// session, or everything of one subject (its sessions and tokens were
// revoked, or its account changed). Stores send one for every such write,
// after it is committed; a replica's caches then drop every entry Matches
// finds and read it again from the store.
//
// All is set, and nothing else, when revocations may have been missed (the
// link to the database was lost and made again): drop everything cached.
type Revocation struct {
	TokenID   string `json:"token_id,omitempty"`
	FamilyID  string `json:"family_id,omitempty"`
	SessionID string `json:"session_id,omitempty"`
	Subject   string `json:"subject,omitempty"`
	All       bool   `json:"all,omitempty"`
}

// Matches reports whether r concerns a cached entry with these names (any
// of which may be empty).
func (r Revocation) Matches(tokenID, familyID, sessionID, subject string) bool {
	eq := func(a, b string) bool { return a != "" && a == b }
	return r.All || eq(r.TokenID, tokenID) || eq(r.FamilyID, familyID) ||
		eq(r.SessionID, sessionID) || eq(r.Subject, subject)
}

// RevocationNotifier is a store that announces revocations: those made
// through it and, for a store that processes share, through every other
// process using the same database.
type RevocationNotifier interface {
	// OnRevocation calls fn for every Revocation from now on, until stop
	// is called. For a revocation made through this store, fn has been
	// called before the write that made it returns, so that this process
	// never trusts what it just revoked; others' arrive as soon as the
	// store learns of them. fn may be called from several goroutines at
	// once, must return quickly and must not call the store. A revocation
	// may be announced more than once.
	OnRevocation(fn func(Revocation)) (stop func())
}
