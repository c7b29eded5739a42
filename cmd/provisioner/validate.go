package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/spec"
)

// newValidateCmd checks a spec file the way every other command loads it, without AWS: no
// credentials, no network. Exit 0 when the spec is valid, 1 with every problem on stderr.
func newValidateCmd(_ *globals) *cobra.Command {
	var suffix string
	cmd := &cobra.Command{
		Use:   "validate SPEC",
		Short: "Check a spec file without calling AWS",
		Long: "Check a spec file: YAML syntax, keys and types, ranges and enums, references and\n" +
			"dependency cycles, physical names with the suffix applied, and the rules of each kind.\n" +
			"Every problem is printed as file:line:col: message. No AWS call is made.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := spec.Load(args[0], spec.Options{Suffix: suffix})
			var problems *spec.Errors
			switch {
			case errors.As(err, &problems):
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", args[0], countErrors(len(*problems)))
				return &exitError{code: 1}
			case err != nil:
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid (%d resources)\n", args[0], len(st.Resources))
			return nil
		},
	}
	suffixFlag(cmd, &suffix, "environment suffix to validate with (default: the spec's)")
	return cmd
}

func countErrors(n int) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}
