package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// openBrowser asks the desktop to open url, without waiting for the
// browser. Only http and https URLs are opened: a sign-in provider's
// device page is the provider's word, and another scheme could start any
// program registered for it. An error means no browser could be started;
// the caller has printed the URL already.
func openBrowser(rawURL string) error {
	if u, err := url.Parse(rawURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("not an http(s) address")
	}
	return startOpener(rawURL)
}

// openFile opens a page hfgate wrote itself (the web app's launch page) in
// the browser.
func openFile(path string) error { return startOpener("file://" + filepath.ToSlash(path)) }

// startOpener hands target to the desktop's opener, which gets this
// process's environment without secrets (see browserEnv).
func startOpener(target string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", target)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", target)
	default:
		cmd = exec.Command("xdg-open", target)
	}
	cmd.Env = browserEnv(os.Environ())
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; its exit status says nothing reliable
	return nil
}

// browserEnv is env without the variables that hold secrets: the Hub
// tokens, the OAuth client secret, and anything named like a token,
// secret, password, key or credential. A browser, and every page and
// helper it starts, has no business with them.
func browserEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !secretName(name) {
			out = append(out, kv)
		}
	}
	return out
}

func secretName(name string) bool {
	n := strings.ToUpper(name)
	for _, s := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
