package hubsim

import (
	"encoding/json"
	"net/http"
)

// writeInternalError answers 500 with err's text, for failures of hubsim
// itself (content that cannot be generated or encoded).
func writeInternalError(w http.ResponseWriter, r *http.Request, err error) {
	writeHubError(w, r, http.StatusInternalServerError, "", "internal error: "+err.Error())
}

// writeHubError answers like the Hub's API and resolve endpoints: the status,
// X-Error-Code when there is one, X-Error-Message always (HEAD responses
// have no body, so clients read the header), and a JSON body {"error": msg}.
func writeHubError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	h := w.Header()
	if code != "" {
		h.Set("X-Error-Code", code)
	}
	h.Set("X-Error-Message", msg)
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
