package kinds

import (
	"github.com/aws/smithy-go"

	"github.com/provisioner-dev/provisioner/state"
)

// miscAPIErr is an AWS API error as the SDK returns it.
func miscAPIErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake " + code}
}

func miscOwner(id string) state.Owner { return state.Owner{Stack: "shop", Suffix: "dev", ID: id} }
