package hubsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// renderCard renders a model card: the card data as YAML front matter
// between "---" lines, then the Markdown body.
func renderCard(cardData json.RawMessage, body string) ([]byte, error) {
	var b bytes.Buffer
	if len(cardData) > 0 {
		b.WriteString("---\n")
		dec := json.NewDecoder(bytes.NewReader(cardData))
		dec.UseNumber()
		if err := yamlValue(&b, dec, 0, false); err != nil {
			return nil, fmt.Errorf("render cardData: %w", err)
		}
		b.WriteString("---\n\n")
	}
	b.WriteString(body)
	if body != "" && !strings.HasSuffix(body, "\n") {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// yamlValue writes the next JSON value of dec as block-style YAML, keeping
// the order of object keys (a map would lose it). inSeq says the value
// follows a "- " marker.
func yamlValue(b *bytes.Buffer, dec *json.Decoder, indent int, inSeq bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	pad := strings.Repeat("  ", indent)
	switch tok {
	case json.Delim('{'):
		if !dec.More() {
			b.WriteString(" {}\n")
			_, err := dec.Token()
			return err
		}
		first := true
		if !inSeq && indent > 0 {
			b.WriteByte('\n')
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			if !(inSeq && first) {
				b.WriteString(pad)
			}
			first = false
			b.WriteString(yamlScalar(k.(string)) + ":")
			if err := yamlValue(b, dec, indent+1, false); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	case json.Delim('['):
		if !dec.More() {
			b.WriteString(" []\n")
			_, err := dec.Token()
			return err
		}
		b.WriteByte('\n')
		for dec.More() {
			b.WriteString(pad + "- ")
			if err := yamlValue(b, dec, indent+1, true); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	if !inSeq {
		b.WriteByte(' ')
	}
	switch v := tok.(type) {
	case string:
		b.WriteString(yamlScalar(v))
	case json.Number:
		b.WriteString(v.String())
	case bool:
		fmt.Fprint(b, v)
	case nil:
		b.WriteString("null")
	}
	b.WriteByte('\n')
	return nil
}

var yamlPlain = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./+ -]*$`)

// yamlScalar writes a string plainly when YAML would read it back as the
// same string, else double-quoted.
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~":
		return jsonString(s)
	}
	if yamlPlain.MatchString(s) && !strings.HasSuffix(s, " ") {
		return s
	}
	return jsonString(s)
}
