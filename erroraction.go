package hfgate

// Error actions: what a user can do about an *Error (Error.Action). They are
// machine-readable, so that each front end words them its own way and the
// gateway can pass them on; add one when a new kind of advice appears,
// never a sentence.
const (
	// ActionSignIn: sign in (again) to the endpoint the message names,
	// because there is no credential, or it was rejected, expired or
	// revoked.
	ActionSignIn = "sign_in"

	// ActionRequestAccess: ask the owners of a gated repository for access,
	// on its page on the Hub (the message gives the address).
	ActionRequestAccess = "request_access"

	// ActionListFiles: a file named by the user is not in the repository;
	// look at the files it has.
	ActionListFiles = "list_files"

	// ActionListCache: what was named is not in the cache; look at what is.
	ActionListCache = "list_cache"

	// ActionRetry: a passing failure (network, rate limit, server error):
	// try again later.
	ActionRetry = "retry"

	// ActionResume: a download stopped; starting it again continues from
	// the bytes already verified.
	ActionResume = "resume"

	// ActionFreeSpace: the disk is too full; free some space or choose
	// another cache, then resume.
	ActionFreeSpace = "free_space"

	// ActionChooseFolder: a folder cannot be written; choose another cache
	// or download folder.
	ActionChooseFolder = "choose_folder"

	// ActionSetMemory: this machine's memory could not be read; state the
	// memory a model may use.
	ActionSetMemory = "set_memory"

	// ActionSetEndpoint: the Hub endpoint setting is not usable; set
	// another.
	ActionSetEndpoint = "set_endpoint"

	// ActionAllowUnverified: the server names no content hash for a file,
	// so it cannot be verified; it can be downloaded anyway, unverified,
	// its size alone checked, if the user says so.
	ActionAllowUnverified = "allow_unverified"
)
