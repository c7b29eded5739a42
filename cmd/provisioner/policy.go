package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisioner-dev/provisioner/reconcile/kinds"
	"github.com/provisioner-dev/provisioner/spec"
)

// newPolicyCmd prints the IAM policy a command needs on a spec. It reads only the spec: no
// AWS call, so it runs where the policy is written (CI, a laptop) without credentials.
func newPolicyCmd(g *globals) *cobra.Command {
	var command, suffix, account string
	cmd := &cobra.Command{
		Use:   "policy SPEC --for drift|apply|destroy",
		Short: "Print the least-privilege IAM policy a command needs on a spec",
		Long: `Policy prints, as JSON ready for aws iam put-role-policy, the IAM policy that running drift,
apply or destroy on SPEC needs and no more: the actions the kinds call, on the spec's own
resources (their names carry the suffix) where AWS has resource-level permissions, and on "*"
where it has none (ec2:Describe*, List* calls). Discovery reads the tags of every resource of a
type to find the stack's, so those reads are granted on the whole type in the account and region.
The names are those of the spec with the suffix: an apply that deletes resources since removed
from the spec, or a destroy of them, needs the policy of the spec that made them. No AWS call
is made; --account narrows the ARNs to one account (default: any).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := spec.Load(args[0], spec.Options{Suffix: suffix})
			if err != nil {
				return err
			}
			if g.region != "" {
				st.Region = g.region
			}
			doc, err := kinds.Policy(st, command, account)
			if err != nil {
				return fmt.Errorf("flag --for: %w", err)
			}
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
			return err
		},
	}
	cmd.Flags().StringVar(&command, "for", "", "the command the policy is for: "+strings.Join(kinds.PolicyCommands, ", "))
	_ = cmd.MarkFlagRequired("for")
	suffixFlag(cmd, &suffix, "environment suffix the resource names carry")
	cmd.Flags().StringVar(&account, "account", "*", "AWS account id the ARNs name")
	return cmd
}
