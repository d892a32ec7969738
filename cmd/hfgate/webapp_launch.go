package main

import (
	"context"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/ipfs"
	"github.com/hfgate/hfgate/kubo"
)

// launchPage is the file the browser opens: it goes on to the app's URL.
// Opening the URL itself would put the launch secret on the command line
// of the browser opener, where every user of the machine can read it (ps);
// the file is the user's own (0600), as Jupyter does it.
var launchPage = template.Must(template.New("launch").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url={{.}}"><title>Opening hfgate…</title></head>
<body><p>Opening hfgate… If nothing happens, <a href="{{.}}">open it here</a>.</p></body></html>
`))

// openLaunch opens url in the browser through a launch file in a folder
// of the user's own (0700); remove, called when the app stops, deletes it.
// O_EXCL never follows a link someone else put in its place.
func (a *app) openLaunch(url string) (remove func(), err error) {
	remove = func() {}
	dir := filepath.Join(a.configDir(), "run")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return remove, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return remove, err
	}
	path := filepath.Join(dir, fmt.Sprintf("ui-%d.html", os.Getpid()))
	_ = os.Remove(path) // left by a crashed launch of the same pid
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return remove, err
	}
	remove = func() { os.Remove(path) }
	if err := launchPage.Execute(f, template.URL(url)); err != nil {
		f.Close()
		return remove, err
	}
	if err := f.Close(); err != nil {
		return remove, err
	}
	return remove, openFile(path)
}

// envTokenName names the variable HF_TOKEN is read from.
func envTokenName(getenv func(string) string) string {
	if strings.TrimSpace(getenv("HF_TOKEN")) == "" && strings.TrimSpace(getenv("HUGGING_FACE_HUB_TOKEN")) != "" {
		return "HUGGING_FACE_HUB_TOKEN"
	}
	return "HF_TOKEN"
}

// webIPFS is the web app's IPFS: an ipfs.Pinner on the node kubo.FindAPI
// finds (IPFS_API, else $IPFS_PATH/api), anew for every call, so that a
// node started after the app is found.
type webIPFS struct {
	a     *app
	cache hfcache.Cache
}

func (w *webIPFS) pinner() (*ipfs.Pinner, error) {
	api, err := kubo.FindAPI("", w.a.getenv)
	if err != nil {
		return nil, err
	}
	return &ipfs.Pinner{Node: &kubo.Client{API: api.URL}, Cache: w.cache}, nil
}

func (w *webIPFS) Version(ctx context.Context) (string, error) {
	p, err := w.pinner()
	if err != nil {
		return "", err
	}
	return p.Node.Version(ctx)
}

func (w *webIPFS) Pin(ctx context.Context, repo hfgate.RepoID, rev, file string) (string, error) {
	p, err := w.pinner()
	if err != nil {
		return "", err
	}
	pin, err := p.Pin(ctx, repo, rev, file, nil)
	if err != nil {
		return "", err
	}
	return pin.CID, nil
}
