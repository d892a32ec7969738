package postgrestest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Server is a PostgreSQL server of one test's own, which it may stop and
// start again (a database restarting under load).
type Server struct {
	URL      string // postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
	t        testing.TB
	bin      string
	dir      string
	run      []string // runs a command as the server's user
	port     int
	settings []string
}

// Start initializes and starts a new server in a temporary directory,
// stopped and removed when the test ends. It skips or fails t when
// PostgreSQL's programs are not installed. The server runs without fsync,
// for speed, unless settings ("name=value", applied after the defaults)
// say otherwise: a benchmark of durable commits passes "fsync=on".
func Start(t testing.TB, settings ...string) *Server {
	t.Helper()
	bin := binDir()
	if bin == "" {
		need(t, "initdb and pg_ctl are not installed")
	}
	dir, err := os.MkdirTemp("", "hfgate-pg-*")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, dir: dir, settings: settings}
	t.Cleanup(func() {
		s.pgctl("-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		name := "postgres"
		u, err := user.Lookup(name)
		if err != nil {
			t.Skipf("running as root and there is no user %q to run PostgreSQL as", name)
		}
		uid, _ := strconv.Atoi(u.Uid)
		if err := os.Chown(dir, uid, -1); err != nil {
			t.Fatal(err)
		}
		s.run = []string{"runuser", "-u", name, "--"}
	}
	if out, err := s.cmd(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	s.port = freePort(t)
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	s.Restart()
	return s
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, s.run...), name), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (s *Server) pgctl(args ...string) ([]byte, error) {
	argv := append([]string{"-D", s.data(), "-l", filepath.Join(s.dir, "server.log")}, args...)
	return s.cmd(filepath.Join(s.bin, "pg_ctl"), argv...).CombinedOutput()
}

// Stop stops the server at once, as a crash would (clients see their
// connections cut).
func (s *Server) Stop() {
	s.t.Helper()
	if out, err := s.pgctl("-m", "immediate", "-w", "stop"); err != nil {
		s.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Restart starts the server, stopped or not, on the same port and data.
func (s *Server) Restart() {
	s.t.Helper()
	s.pgctl("-m", "immediate", "-w", "stop")
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=200", s.port, s.dir)
	for _, kv := range s.settings {
		opts += " -c " + kv
	}
	if out, err := s.pgctl("-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		s.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// binDir returns the directory of initdb and pg_ctl, or "".
func binDir() string {
	if d := os.Getenv("HFGATE_TEST_POSTGRES_BIN"); d != "" {
		return d
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) int {
		n, _ := strconv.Atoi(strings.SplitN(filepath.Base(filepath.Dir(dir)), ".", 2)[0])
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return major(b) - major(a) }) // newest first
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
