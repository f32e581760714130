package declaration

import _ "embed"

// Template is a commented, valid declaration to start from.
//
//go:embed template.yaml
var Template []byte
