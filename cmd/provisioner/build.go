package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/handlers/build"
)

// newBuildCmd builds the webhook handlers into Lambda deployment packages.
func newBuildCmd() *cobra.Command {
	var o build.Options
	cmd := &cobra.Command{
		Use:   "build [HANDLER...]",
		Short: "Build the Lambda handlers into reproducible deployment zips",
		Long: `Build compiles each handler (receiver, processor, deadletter, authorizer, or the path of a
main package; all four handlers when none is named) for Linux and packages it as <out>/<handler>-<arch>.zip,
holding one executable named bootstrap for the provided.al2023 runtime. Two builds of the same
source give byte-identical zips, so the printed SHA-256 (base64, as Lambda's CodeSha256) only
changes when the code does. Run it inside the provisioner's source tree.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			handlers := args
			if len(handlers) == 0 {
				handlers = build.Handlers
			}
			out := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(out, "ZIP\tBYTES\tSHA256")
			for _, h := range handlers {
				o.Handler = h
				a, err := build.Build(cmd.Context(), o)
				if err != nil {
					out.Flush()
					return err
				}
				fmt.Fprintf(out, "%s\t%d\t%s\n", a.ZipPath, a.Size, a.SHA256)
			}
			return out.Flush()
		},
	}
	cmd.Flags().StringVar(&o.Arch, "arch", "arm64", "Lambda architecture: arm64 or x86_64")
	cmd.Flags().StringVar(&o.OutDir, "out", "dist", "directory for the zips")
	return cmd
}
