package gateway

import (
	"time"

	"github.com/hfgate/hfgate"
)

// OrgRow is an org membership as the gateway's JSON shows it.
type OrgRow struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

func orgRows(orgs []hfgate.Org) []OrgRow {
	out := []OrgRow{}
	for _, o := range orgs {
		out = append(out, OrgRow{o.Name, o.Role})
	}
	return out
}

// UserRow is an account as the admin API and hfgate admin list it.
type UserRow struct {
	Subject        string    `json:"subject"`
	Username       string    `json:"username"`
	Name           string    `json:"name,omitempty"`
	Provider       string    `json:"provider"`
	Orgs           []OrgRow  `json:"orgs"`
	Groups         []string  `json:"groups,omitempty"`
	Created        time.Time `json:"created"`
	ProfileUpdated time.Time `json:"profile_updated,omitzero"`
	Disabled       bool      `json:"disabled"`
}

// UserRows returns accounts as UserRows.
func UserRows(list []*hfgate.Account) []UserRow {
	out := []UserRow{}
	for _, a := range list {
		out = append(out, UserRow{Subject: a.ID, Username: a.Username, Name: a.Name, Provider: a.Provider,
			Orgs: orgRows(a.Orgs), Groups: a.Groups, Created: a.Created, ProfileUpdated: a.ProfileUpdated, Disabled: a.Disabled})
	}
	return out
}

// TokenRows returns tokens as the admin API and hfgate admin list them.
func TokenRows(list []*hfgate.Token) []map[string]any {
	out := []map[string]any{}
	for _, t := range list {
		row := map[string]any{"id": t.ID, "kind": t.Kind, "subject": t.Subject, "name": t.Name, "client_id": t.ClientID,
			"family_id": t.FamilyID, "created": t.Created, "expires": t.Expires}
		if !t.LastUsed.IsZero() {
			row["last_used"] = t.LastUsed
		}
		if !t.Revoked.IsZero() {
			row["revoked"], row["revoked_by"], row["revoke_reason"] = t.Revoked, t.RevokedBy, t.RevokeReason
		}
		if !t.Spent.IsZero() {
			row["spent"] = t.Spent
		}
		out = append(out, row)
	}
	return out
}
