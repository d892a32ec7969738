package main

import (
	"os/exec"
	"runtime"
)

// openBrowser asks the desktop to open url, without waiting for the
// browser. An error means no browser could be started; the caller has
// printed the URL already.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap it; its exit status says nothing reliable
	return nil
}
