package credstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
)

// KeyringService is the service name of hfgate's OS keyring entries; the
// account (user) name is the normalised endpoint for hfgate.LocalSubject,
// and "<endpoint>#<subject>" for every other subject.
const KeyringService = "hfgate"

// HuggingFaceEndpoint is the normalised endpoint of huggingface.co, the only
// endpoint the official token file is used for.
const HuggingFaceEndpoint = "https://huggingface.co"

// MaxRecordSize is the largest stored record in bytes (the JSON of a
// Credential): the Windows Credential Manager's limit on a secret.
const MaxRecordSize = 2560

// FallbackFileName is the name of the fallback file in Store.ConfigDir.
const FallbackFileName = "credentials.json"

// Source says where a credential came from or went to.
type Source string

// Sources, in Load's order of precedence.
const (
	SourceEnv         Source = "env"           // HF_TOKEN or HUGGING_FACE_HUB_TOKEN; read-only
	SourceKeyring     Source = "keyring"       // the OS keyring
	SourceFile        Source = "file"          // the 0600 fallback file
	SourceHFTokenFile Source = "hf-token-file" // the token file of `hf auth login`; read-only
)

// Store finds, saves and deletes credentials: the command line's, in the
// order of the official tools, over a KeyringStore and a FileStore. Only
// ConfigDir is required; the zero value of every other field has a
// documented default. A Store is safe for concurrent use by goroutines and
// processes (file updates take a file lock) provided Notice is. It
// implements hfgate.CredentialStore.
type Store struct {
	// ConfigDir holds the fallback file and the lock files, normally
	// $XDG_CONFIG_HOME/hfgate as decided by the caller. It is created with
	// mode 0700 when missing. Required: every method fails without it.
	ConfigDir string

	// HFHome is the official Hugging Face home, where `hf auth login` keeps
	// its token file. If empty, it is $HF_HOME, else
	// $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. $HF_TOKEN_PATH,
	// when set, names the token file directly and wins over HFHome.
	HFHome string

	// Getenv reads HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, HF_HOME,
	// XDG_CACHE_HOME and HOME. If nil, os.Getenv is used. (go-keyring reads
	// the D-Bus variables from the process environment itself.)
	Getenv func(string) string

	// Keyring is the OS keyring. If nil, SystemKeyring{} is used (go-keyring
	// with DefaultKeyringTimeout). Use NoKeyring{} to keep it untouched.
	Keyring Keyring

	// Notice receives one-line messages for the user, such as "stored
	// credentials in a file because there is no keyring". They never contain
	// a secret. If nil, notices are dropped. The library never prints.
	Notice func(string)
}

func (s *Store) getenv(key string) string {
	if s.Getenv != nil {
		return s.Getenv(key)
	}
	return os.Getenv(key)
}

func (s *Store) keyring() Keyring {
	if s.Keyring != nil {
		return s.Keyring
	}
	return SystemKeyring{}
}

func (s *Store) notice(msg string) {
	if s.Notice != nil {
		s.Notice(msg)
	}
}

// check reports a Store that cannot work: a bug in the caller.
func (s *Store) check() error {
	if s.ConfigDir == "" {
		return hfgate.Errorf(hfgate.EINTERNAL, "credential store has no config directory")
	}
	return nil
}

func (s *Store) filePath() string { return filepath.Join(s.ConfigDir, FallbackFileName) }

func (s *Store) keys() *KeyringStore {
	return &KeyringStore{Keyring: s.keyring(), LockDir: s.ConfigDir}
}

func (s *Store) file() *FileStore { return &FileStore{Path: s.filePath()} }

// envToken returns the token from HF_TOKEN, else HUGGING_FACE_HUB_TOKEN (the
// legacy name), with whitespace stripped, and the variable's name.
func (s *Store) envToken() (token, name string) {
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if tok := strings.TrimSpace(s.getenv(name)); tok != "" {
			return tok, name
		}
	}
	return "", ""
}

// account returns the keyring account and fallback-file key of the
// credential of subject for the normalised endpoint ep: ep itself for
// hfgate.LocalSubject (where every earlier hfgate kept its one credential per
// endpoint), else ep#subject. A normalised endpoint has no '#', so no two
// keys collide.
func account(ep, subject string) string {
	if subject == hfgate.LocalSubject {
		return ep
	}
	return ep + "#" + subject
}

// whose names a credential in reports: the endpoint, with the subject when
// it is not the local one.
func whose(ep, subject string) string {
	if subject == hfgate.LocalSubject {
		return ep
	}
	return subject + " at " + ep
}

// canceled turns a done ctx into the project's error, or returns nil.
func canceled(ctx context.Context) error {
	switch err := ctx.Err(); err {
	case nil:
		return nil
	case context.Canceled:
		return hfgate.WrapError(hfgate.ECANCELED, err, "canceled")
	default:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "timed out")
	}
}
