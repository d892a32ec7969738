package audit

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// epochFormat is the start time in a writer id: fixed width, so that a
// replica's writer ids sort in the order their processes started.
const epochFormat = "20060102T150405.000000Z"

// NewWriterID returns the id of a writer of replica whose process started
// at start: "REPLICA/EPOCH-RAND", such as "gw-1/20300506T070809.123456Z-3fa9",
// where the random suffix keeps two processes that start in the same
// microsecond apart. replica must be 1 to 64 letters, digits, '.', '_' or
// '-', and stay the same across restarts of the replica (a StatefulSet pod
// name, a host name, a name in the configuration): a restarted process
// recovers the open intents of the writers that share its replica.
func NewWriterID(replica string, start time.Time) (string, error) {
	if err := CheckReplica(replica); err != nil {
		return "", err
	}
	var r [2]byte
	rand.Read(r[:])
	return replica + "/" + start.UTC().Format(epochFormat) + "-" + hex.EncodeToString(r[:]), nil
}

// CheckReplica returns an EINVALID error unless replica is a valid replica
// id (see NewWriterID).
func CheckReplica(replica string) error {
	if replica == "" || len(replica) > 64 || strings.Trim(replica, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
		return hfgate.Errorf(hfgate.EINVALID, "%q is not a replica id: use 1 to 64 letters, digits, '.', '_' or '-'", clip(replica, 80))
	}
	return nil
}

// ReplicaOf returns the replica of a writer id: the part before its last
// '/', or "" for an id NewWriterID did not make.
func ReplicaOf(writer string) string {
	i := strings.LastIndexByte(writer, '/')
	if i <= 0 {
		return ""
	}
	return writer[:i]
}
