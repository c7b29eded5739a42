package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples are every command's --help examples, keyed by command path. One place, so they read
// as one voice and a test can check each runs against the real flags (examples_test.go).
var examples = map[string]string{
	"provisioner": `  # Check a spec, see what would change, make it so, then check for drift
  provisioner validate examples/webhook.yaml
  provisioner plan examples/webhook.yaml --suffix pr42
  provisioner apply examples/webhook.yaml --suffix pr42
  provisioner drift examples/webhook.yaml --suffix pr42`,
	"provisioner version": `  provisioner version`,
	"provisioner validate": `  # Validate; errors name file:line:col
  provisioner validate examples/webhook.yaml
  # Validate with the names an environment would get
  provisioner validate examples/webhook.yaml --suffix pr42`,
	"provisioner schema": `  # The JSON Schema, for editors (yaml-language-server) and CI
  provisioner schema > spec.schema.json`,
	"provisioner build": `  # Every handler for arm64 into dist/
  provisioner build
  # One handler for x86_64 elsewhere
  provisioner build receiver --arch x86_64 --out /tmp/zips`,
	"provisioner plan": `  provisioner plan examples/webhook.yaml --suffix pr42
  # In CI: exit 2 when there are changes, plan as JSON (docs/plan-json.md)
  provisioner plan examples/webhook.yaml --suffix pr42 --detailed-exitcode -o json > plan.json`,
	"provisioner apply": `  provisioner apply examples/webhook.yaml --suffix pr42
  # Against a local emulator, fewer changes at once
  provisioner apply examples/webhook.yaml --suffix dev --endpoint-url http://localhost:4566 --parallelism 4`,
	"provisioner drift": `  # Read-only; exit 0 in sync, 2 drift, 1 error
  provisioner drift examples/webhook.yaml --suffix prod
  # The report for a cron job (deploy/ has a CronJob and a GitHub Actions workflow)
  provisioner drift examples/webhook.yaml --suffix prod -o json --log-format json > drift.json`,
	"provisioner destroy": `  # What would go, then delete it
  provisioner destroy --suffix pr42 --dry-run
  provisioner destroy --suffix pr42 --yes
  # Only one stack of the suffix
  provisioner destroy --suffix pr42 --stack webhook --yes`,
	"provisioner list": `  provisioner list --suffix pr42
  provisioner list --suffix pr42 --stack webhook -o json`,
	"provisioner api-key": `  # The value of the partner-key API key, for a client's configuration
  provisioner api-key partner-key --suffix pr42 examples/webhook.yaml`,
	"provisioner unlock": `  # Remove the lock a killed run left (it also expires 3 minutes after its last renewal)
  provisioner unlock --suffix pr42 --stack webhook
  # In a script, without the confirmation
  provisioner unlock --suffix pr42 --yes`,
	"provisioner policy": `  # The IAM policy the drift job needs, attached to its role
  provisioner policy examples/webhook.yaml --for drift --suffix prod > drift-policy.json
  aws iam put-role-policy --role-name provisioner-drift --policy-name provisioner-drift --policy-document file://drift-policy.json
  # What apply needs in one account
  provisioner policy examples/webhook.yaml --for apply --suffix prod --account 123456789012`,
	"provisioner completion":            `  provisioner completion bash > /etc/bash_completion.d/provisioner`,
	"provisioner completion bash":       `  source <(provisioner completion bash)`,
	"provisioner completion zsh":        `  provisioner completion zsh > "${fpath[1]}/_provisioner"`,
	"provisioner completion fish":       `  provisioner completion fish > ~/.config/fish/completions/provisioner.fish`,
	"provisioner completion powershell": `  provisioner completion powershell | Out-String | Invoke-Expression`,
	"provisioner help":                  `  provisioner help drift`,
}

// withExamples gives every command in root's tree its example, adding cobra's help and
// completion commands first so that they are in the tree (and the docs) too.
func withExamples(root *cobra.Command) *cobra.Command {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	walk(root, func(c *cobra.Command) {
		if ex, ok := examples[c.CommandPath()]; ok {
			c.Example = strings.TrimRight(ex, "\n")
		}
	})
	return root
}

// walk calls f on c and every command below it.
func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walk(sub, f)
	}
}
