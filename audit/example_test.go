package audit_test

import (
	"context"
	"fmt"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

// A gateway opens one Writer per process, records an intent before the
// first byte of a file and an end after the last, and answers 503 when
// Record fails. An admin joins intents and ends, and verifies the chains.
func Example() {
	ctx := context.Background()
	store := &memstore.Store{} // a gateway uses its SQLite or PostgreSQL store
	w, err := audit.Open(ctx, store, audit.Config{Replica: "gw-1"})
	if err != nil {
		panic(err)
	}
	defer w.Close()

	alice := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:6523a1f0", Username: "alice"}
	in := &hfgate.AuditEvent{Kind: hfgate.AuditKindIntent, RequestID: "req-1", Action: string(hfgate.RepoDownload),
		Repo: "Qwen/Qwen2.5-0.5B", File: "q4.gguf", Decision: hfgate.AuditAllow, Rule: "acme-members-download"}
	in.SetPrincipal(alice)
	if err := w.Record(ctx, in); err != nil {
		panic(err) // the gateway answers 503 instead of serving
	}
	out := &hfgate.AuditEvent{Kind: hfgate.AuditKindEnd, RequestID: "req-1", Bytes: 1 << 20, Status: 200,
		Source: hfgate.AuditFromHub, Outcome: hfgate.AuditComplete}
	out.SetPrincipal(alice)
	if err := w.Record(ctx, out); err != nil {
		panic(err)
	}

	downloads, _, err := audit.Downloads(ctx, store, hfgate.AuditFilter{User: "alice"})
	if err != nil {
		panic(err)
	}
	for _, d := range downloads {
		fmt.Println(d.Intent.Username, d.Intent.Repo, d.Intent.File, d.Outcome(), d.End.Bytes)
	}
	report, err := audit.Verify(ctx, store)
	if err != nil {
		panic(err)
	}
	fmt.Println("chains verified:", report.OK())
	// Output:
	// alice Qwen/Qwen2.5-0.5B q4.gguf complete 1048576
	// chains verified: true
}
