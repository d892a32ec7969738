package gateway

// Client is an OAuth client the gateway knows. The built-in ones are
// public (no secret): they sign in with the device grant.
type client struct {
	id    string
	title string // shown on the device page
}

// Built-in public clients.
const (
	ClientHfgate = "hfgate"                               // hfgate login --endpoint GATEWAY --device
	ClientHF     = "26be6b09-91c5-47da-9861-d2d2bb7a7e36" // huggingface_hub's hf auth login
)

var clients = map[string]client{
	ClientHfgate: {ClientHfgate, "hfgate command line"},
	ClientHF:     {ClientHF, "Hugging Face CLI (hf auth login)"},
}

// scopesSupported are the scopes a device may ask for: the Hub's, so that
// HF clients asking for them are not refused. A gateway token's rights
// come from the policy, not from its scopes, which are recorded only.
var scopesSupported = []string{
	"openid", "profile", "email", "read-repos", "gated-repos", "read-memberships",
	"write-repos", "manage-repos", "inference-api",
}
