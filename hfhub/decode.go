package hfhub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// modelJSON is a model as /api/models and /api/models/{id} send it
// (reference §1–2). Absent fields stay zero.
type modelJSON struct {
	ID               string          `json:"id"`
	ModelID          string          `json:"modelId"` // legacy twin of id
	Author           string          `json:"author"`
	SHA              string          `json:"sha"`
	Private          bool            `json:"private"`
	Gated            gated           `json:"gated"`
	Disabled         bool            `json:"disabled"`
	Downloads        int64           `json:"downloads"`
	DownloadsAllTime int64           `json:"downloadsAllTime"`
	Likes            int64           `json:"likes"`
	TrendingScore    float64         `json:"trendingScore"`
	Tags             []string        `json:"tags"`
	PipelineTag      string          `json:"pipeline_tag"`
	LibraryName      string          `json:"library_name"`
	CreatedAt        hubTime         `json:"createdAt"`
	LastModified     hubTime         `json:"lastModified"`
	CardData         json.RawMessage `json:"cardData"`
	Siblings         []siblingJSON   `json:"siblings"`
	GGUF             *struct {
		Total         int64  `json:"total"` // parameters, not bytes
		Architecture  string `json:"architecture"`
		ContextLength int64  `json:"context_length"`
		TotalFileSize int64  `json:"totalFileSize"`
	} `json:"gguf"`
	UsedStorage int64 `json:"usedStorage"`
}

// siblingJSON is one file of model info; size, blobId and lfs come only
// with blobs=true.
type siblingJSON struct {
	RFilename string `json:"rfilename"`
	Size      int64  `json:"size"`
	BlobID    string `json:"blobId"`
	LFS       *struct {
		SHA256      string `json:"sha256"`
		Size        int64  `json:"size"`
		PointerSize int64  `json:"pointerSize"`
	} `json:"lfs"`
}

// gated decodes the Hub's gated field: false, "auto" or "manual".
type gated string

func (g *gated) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "false", "null", `""`:
		*g = ""
		return nil
	case "true":
		// UNVERIFIED: the Hub sends only false, "auto" or "manual"; a bare
		// true is taken as gated with manual approval, the stricter case.
		*g = "manual"
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("gated: %w", err)
	}
	*g = gated(s)
	return nil
}

// hubTime decodes the Hub's ISO 8601 dates ("2024-02-19T11:06:12.000Z").
// A date that does not parse is left zero rather than failing the whole
// answer: a date is never worth losing a search result for.
type hubTime time.Time

func (t *hubTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil || s == "" {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		*t = hubTime(v)
	}
	return nil
}

// model converts the wire form, leaving out (and reporting) what is
// malformed: an id the Hub would not make (ok is false: the model is no
// use), file paths that are unsafe, implausible sizes, card data too large
// to decode.
func (m *modelJSON) model(c *Client) (out *hfgate.Model, ok bool) {
	id := m.ID
	if id == "" {
		id = m.ModelID
	}
	if _, err := hfgate.ParseRepoID(id); err != nil {
		c.malformed(id, "not a valid repo id")
		return nil, false
	}
	out = &hfgate.Model{
		ID:               hfgate.RepoID(id),
		Author:           m.Author,
		SHA:              strings.ToLower(m.SHA),
		Private:          m.Private,
		Gated:            string(m.Gated),
		Disabled:         m.Disabled,
		Downloads:        m.Downloads,
		DownloadsAllTime: m.DownloadsAllTime,
		Likes:            m.Likes,
		TrendingScore:    m.TrendingScore,
		Tags:             m.Tags,
		PipelineTag:      m.PipelineTag,
		LibraryName:      m.LibraryName,
		CreatedAt:        time.Time(m.CreatedAt),
		LastModified:     time.Time(m.LastModified),
		UsedStorage:      m.UsedStorage,
	}
	if out.Author == "" {
		out.Author = out.ID.Owner()
	}
	if g := m.GGUF; g != nil {
		out.GGUF = &hfgate.GGUFSummary{Parameters: g.Total, Architecture: g.Architecture,
			ContextLength: g.ContextLength, TotalFileSize: g.TotalFileSize}
	}
	switch raw := bytes.TrimSpace(m.CardData); {
	case len(raw) > maxCardData:
		c.malformed(id+" card data", fmt.Sprintf("%d bytes, more than the %d a model card's metadata may take: left out", len(raw), maxCardData))
	case len(raw) > 0 && !bytes.Equal(raw, []byte("null")):
		if err := json.Unmarshal(raw, &out.CardData); err != nil {
			c.malformed(id+" card data", "not a JSON object: left out")
		}
	}
	for _, s := range m.Siblings {
		f := hfgate.RepoFile{Path: s.RFilename, Size: s.Size, BlobID: strings.ToLower(s.BlobID)}
		if s.LFS != nil {
			f.LFS = &hfgate.LFSInfo{SHA256: strings.ToLower(s.LFS.SHA256), Size: s.LFS.Size, PointerSize: s.LFS.PointerSize}
			if f.Size == 0 {
				f.Size = s.LFS.Size
			}
		}
		if c.checkFile(id, f) {
			out.Files = append(out.Files, f)
		}
	}
	return out, true
}

// checkFile reports whether a file of repo's listing is usable: a safe
// path and plausible sizes. A file that is not is reported as malformed.
func (c *Client) checkFile(repo string, f hfgate.RepoFile) bool {
	if err := hfgate.ValidateRepoPath(f.Path); err != nil {
		c.malformed(repo+": "+f.Path, "not a safe file path")
		return false
	}
	if f.Size < 0 || f.Size > hfgate.MaxFileSize || f.LFS != nil && (f.LFS.Size < 0 || f.LFS.Size > hfgate.MaxFileSize) {
		c.malformed(repo+": "+f.Path, "an implausible size")
		return false
	}
	return true
}

// decodeJSON decodes an answer already read into memory by do, naming the
// host in the error: a body that is not the JSON we expect most often means
// the endpoint is not a Hub (a login page of a proxy, say).
func (c *Client) decodeJSON(body []byte, host string, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"%s sent an answer that is not the Hub's JSON: is %s a Hugging Face Hub?", host, c.base())
	}
	return nil
}
