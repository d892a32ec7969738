package hubsim

// Catalog is the set of repositories hubsim serves.
//
// TODO(catalog): repositories, files, generated content, JSON loading.
type Catalog struct{}

// BuiltinCatalog returns the built-in catalog.
func BuiltinCatalog() (*Catalog, error) { return &Catalog{}, nil }
