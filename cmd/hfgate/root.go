package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
)

// stdio is where a command reads and writes. Tests give buffers.
type stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// app is the state shared by every subcommand of one invocation: the
// standard streams, the environment and the global flags. Flags are fields
// here, never package globals, so that tests can run commands side by side.
type app struct {
	io     *stdio
	getenv func(string) string

	endpointFlag      string // --endpoint
	configFlag        string // --config
	gatewayConfigFlag string // --config of serve and admin: the gateway's config file
	cacheGatewayFlag  string // --gateway of admin cache: the replica asked
	databaseFlag      string // --database of serve and admin: the gateway's state

	cfg     *Config // loaded by PersistentPreRunE
	started bool    // set once arguments were accepted and a command began

	tokensOnce  sync.Once
	store       *sourceStore          // the credential store of tokenSource
	tokenSource *oidcauth.TokenSource // see tokens
}

// run executes one hfgate command line and returns the exit status.
func run(ctx context.Context, args []string, std *stdio, getenv func(string) string) int {
	a := &app{io: std, getenv: getenv}
	// Who is calling: the person at this terminal, with the credentials
	// stored for hfgate.LocalSubject.
	ctx = hfgate.WithPrincipal(ctx, hfgate.Local)
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(std.In)
	root.SetOut(std.Out)
	root.SetErr(std.Err)
	cmd, err := root.ExecuteContextC(ctx)
	var he *hfgate.Error
	if err != nil && !a.started && !errors.As(err, &he) {
		// Cobra rejected the command line (unknown command, wrong number of
		// arguments) before any command ran: that is a usage error.
		err = hfgate.WrapError(hfgate.EINVALID, err, "%s", usageMessage(cmd, err))
	}
	if err != nil {
		a.printError(err)
	}
	return exitCode(err)
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "hfgate",
		Short: "Sign in with Hugging Face, find models and download them fast and safely",
		Long: `hfgate signs in with Hugging Face (OAuth 2.0 + OpenID Connect + PKCE), searches the
Hub, tells which model files fit this machine, and downloads them in parallel,
resumable and verified, into the standard Hugging Face cache that every other
Hugging Face tool reads.

Try everything with no account: "hfgate demo" runs a simulated Hub and the web app.`,
		Example: `  hfgate demo
  hfgate search coder --gguf --sort downloads
  hfgate files Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  hfgate download Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.started = true
			return a.loadConfig()
		},
	}
	root.SetVersionTemplate("hfgate {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return hfgate.WrapError(hfgate.EINVALID, err, "%s (see %q)", err, cmd.CommandPath()+" --help")
	})
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")

	pf := root.PersistentFlags()
	pf.StringVar(&a.endpointFlag, "endpoint", "", "Hugging Face Hub URL (env HF_ENDPOINT; default https://huggingface.co)")
	pf.StringVar(&a.configFlag, "config", "", "config file (env HFGATE_CONFIG; default $XDG_CONFIG_HOME/hfgate/config.toml)")

	root.AddCommand(
		a.versionCmd(),
		a.downloadCmd(),
		a.loginCmd(),
		a.logoutCmd(),
		a.whoamiCmd(),
		a.tokenCmd(),
		a.hubsimCmd(),
		a.uiCmd(),
		a.demoCmd(),
		a.searchCmd(),
		a.infoCmd(),
		a.filesCmd(),
		a.recommendCmd(),
		a.cacheCmd(),
		a.ipfsCmd(),
		a.adminCmd(),
		a.serveCmd(),
	)
	return root
}

// usageMessage rewords cobra's complaint about the command line of cmd: its
// suggestions on one line, the usage line when the arguments are wrong, and
// the help to read.
func usageMessage(cmd *cobra.Command, err error) string {
	msg := err.Error()
	if before, after, ok := strings.Cut(msg, "\n\nDid you mean this?\n"); ok {
		msg = before + "; did you mean " + strings.Join(strings.Fields(after), " or ") + "?"
	} else if strings.Contains(msg, "arg(s)") {
		msg = "wrong number of arguments (" + msg + "); usage: " + cmd.UseLine()
	}
	return fmt.Sprintf("%s (see %q)", msg, cmd.CommandPath()+" --help")
}

// printError writes the user-safe message of err to stderr, with the advice
// of its action. Errors that are not *hfgate.Error are unexpected; their
// text is all there is to show.
func (a *app) printError(err error) {
	msg := err.Error()
	var he *hfgate.Error
	switch {
	case errors.Is(err, context.Canceled):
		msg = "interrupted"
	case errors.As(err, &he):
		msg = a.errorText(err)
	}
	fmt.Fprintf(a.io.Err, "hfgate: %s\n", printable(strings.TrimSpace(msg)))
}

// envToken names the environment variable whose token the Hub requests
// send, as credstore reads them; "" when neither is set.
func (a *app) envToken() string {
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if a.env(name) != "" {
			return name
		}
	}
	return ""
}

// env returns an environment variable, treating whitespace-only as unset.
func (a *app) env(key string) string { return strings.TrimSpace(a.getenv(key)) }

// endpoint returns the Hub base URL: --endpoint, then HF_ENDPOINT, then the
// config file, then https://huggingface.co; a trailing '/' is dropped.
func (a *app) endpoint() string {
	e := firstNonEmpty(a.endpointFlag, a.env("HF_ENDPOINT"), a.cfg.HuggingFace.Endpoint, defaultEndpoint)
	return strings.TrimRight(e, "/")
}

const defaultEndpoint = "https://huggingface.co"

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// isTerminal reports whether w is a terminal, for progress bars and colours.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
