package hubsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// jsonObject is a JSON object that keeps its keys in order, so responses list
// fields in the order the Hub does.
type jsonObject []jsonField

type jsonField struct {
	key string
	val any
}

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(f.key))
		b.WriteByte(':')
		v, err := marshalNoEscape(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without escaping <, > and &, which the
// Hub's responses (chat templates full of "<|im_start|>") do not escape.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// writeHubJSON writes v as a JSON response without HTML escaping.
func writeHubJSON(w http.ResponseWriter, r *http.Request, v any) {
	writeStatusJSON(w, r, http.StatusOK, v)
}

// writeStatusJSON writes v as a JSON response with the given status,
// without HTML escaping and without a body for HEAD. It keeps a
// Content-Type already set.
func writeStatusJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := marshalNoEscape(v)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// hubTime formats a time as the Hub does: UTC with milliseconds,
// "2024-11-12T08:13:56.000Z".
func hubTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
