// Package safefile opens files in folders that other users may write to,
// such as a Hugging Face cache shared by a group, without being tricked into
// writing somewhere else.
//
// A file opened here is refused, before a byte is written, when its last
// path component is a symbolic link, when it is not a regular file (a FIFO
// or a device, which could block or swallow the data), or when it has other
// hard links (a link to someone else's file). Folders on the way are
// followed: a cache moved to another disk through a link keeps working, and
// hfcache checks the folders it creates with os.Root.
//
// On Unix the check is race-free: the file is opened with O_NOFOLLOW (and
// O_NONBLOCK, cleared once it is known to be a regular file) and then
// examined through its descriptor. Windows has no O_NOFOLLOW: there the path
// is examined with Lstat before it is opened and the open file is examined
// again, which leaves a short window in which a link could be swapped in.
package safefile
