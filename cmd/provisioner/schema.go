package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/spec"
)

// newSchemaCmd prints the JSON Schema of the spec language, for editors (the yaml language
// server reads a "# yaml-language-server: $schema=…" comment) and other tools.
func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec language",
		Long: "Print the JSON Schema (draft 2020-12) of the spec language, generated from the\n" +
			"kinds' types; docs/spec.schema.json holds the same. It checks keys, types, enums and\n" +
			"ranges; references, cycles and cross-field rules are for `provisioner validate`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := spec.Schema()
			if err != nil {
				return fmt.Errorf("schema: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}
