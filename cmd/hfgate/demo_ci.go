package main

import (
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
)

// demoJob is the claims of a CI job that the demo gateway trusts: a push
// to acme/app's main branch, as GitHub Actions would describe it.
const demoJob = `{"repository":"acme/app","repository_id":"42","repository_owner":"acme","repository_owner_id":"7",` +
	`"ref":"refs/heads/main","ref_type":"branch","workflow":"ci","event_name":"push"}`

// demoCI is the demo gateway's CI trust: hubsim's simulated GitHub
// Actions, for the jobs of acme/app (by ids, not names) on main, which the
// demo policy lets read and download hubsim's models (rule acme-app-ci).
func demoCI(sim *hubsim.Server) gateway.CI {
	return gateway.CI{
		Issuers: []ciauth.Issuer{{Name: "hubsim-ci", URL: sim.CIIssuer()}},
		Rules: []ciauth.Rule{{Name: "acme-app-main", Issuer: "hubsim-ci",
			Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}}},
	}
}
