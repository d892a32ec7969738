package download

import "syscall"

var errNoSpaceForTest error = syscall.ENOSPC
