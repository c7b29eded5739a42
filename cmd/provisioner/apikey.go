package main

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/state"
)

// newAPIKeyCmd is the one place a secret is printed: only the value of the key asked for,
// only on stdout, never logged.
func newAPIKeyCmd(g *globals) *cobra.Command {
	var o envOpts
	cmd := &cobra.Command{
		Use:   "api-key LOGICAL --suffix S [--stack NAME] [SPEC]",
		Short: "Print the value of one API key of the stack (the only command that prints a secret)",
		Long: "api-key prints the value API Gateway generated for the apigateway.api_key resource with\n" +
			"that logical name, found by its ownership tags, and nothing else, so it can be piped to a\n" +
			"secret store. No other command reads key values.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			logical := args[0]
			t, err := g.suffixTarget(cmd.Context(), "api-key", args[1:], o, true)
			if err != nil {
				return err
			}
			id, err := apiKeyID(cmd, t, logical)
			if err != nil {
				return err
			}
			key, err := apigateway.NewFromConfig(t.cfg).GetApiKey(cmd.Context(), &apigateway.GetApiKeyInput{ApiKey: aws.String(id), IncludeValue: aws.Bool(true)})
			if err != nil {
				return fmt.Errorf("read api key %s: %w", logical, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), aws.ToString(key.Value))
			return nil
		},
	}
	suffixFlag(cmd, &o.suffix, "environment suffix (required unless a SPEC names one)")
	cmd.Flags().StringVar(&o.stack, "stack", "", "the stack (default: the SPEC's; needed when several stacks have a key of that name)")
	return cmd
}

// apiKeyID finds the one live API key of the selector with that logical name.
func apiKeyID(cmd *cobra.Command, t *target, logical string) (string, error) {
	k, ok := t.reg.Lookup("apigateway.api_key")
	if !ok {
		return "", fmt.Errorf("api-key: this build has no apigateway.api_key kind")
	}
	inv, err := reconcile.Discover(cmd.Context(), reconcile.Registry{k}, t.sel)
	if err != nil {
		return "", err
	}
	var found []state.Resource
	for _, r := range inv.Resources {
		if r.Owner.ID == logical {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("api-key: no apigateway.api_key %q carries suffix %s", logical, t.sel.Suffix)
	case 1:
		return found[0].ID, nil
	default:
		return "", fmt.Errorf("api-key: %d stacks have an api key %q with suffix %s; pass --stack", len(found), logical, t.sel.Suffix)
	}
}
