package provider

import (
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/vbaws/terraform-provider-vbaws/internal/appliance"
	"github.com/vbaws/terraform-provider-vbaws/internal/awsclient"
)

// How AWS and appliance failures become diagnostics.

// addAWSError reports an AWS failure under summary, unless the endpoint could not be reached or the call was
// denied: those get a summary that says so, whatever the caller was doing, so that neither is taken for a
// missing entity.
func addAWSError(diags *diag.Diagnostics, summary string, err error) {
	var unreachable *awsclient.EndpointError
	var denied *awsclient.AccessDeniedError
	switch {
	case errors.As(err, &unreachable):
		summary = "Cannot reach AWS " + unreachable.Service
	case errors.As(err, &denied):
		summary = "Access denied to " + denied.Action
	}
	diags.AddError(summary, err.Error())
}

// addApplianceError reports an appliance failure under summary, unless it is a refused login, an unreachable,
// silent or redirecting appliance, an untrusted certificate, no common revision or a user without the right role:
// those get a summary of their own whatever the caller was doing, so that one cause met by several calls of one
// plan reads as one error. The client's messages name the address and say what to check.
func addApplianceError(diags *diag.Diagnostics, summary string, err error) {
	var auth *appliance.AuthError
	var tlsErr *appliance.TLSError
	var revErr *appliance.RevisionError
	var connectErr *appliance.ConnectError
	var timeoutErr *appliance.TimeoutError
	var redirectErr *appliance.RedirectError
	var accountErr *appliance.AccountFieldError
	switch {
	case errors.As(err, &auth):
		diags.AddError("Cannot log in to the Veeam appliance", err.Error()+". Check username and password in "+
			"the provider's appliance block (or "+envApplianceUsername+" and "+envAppliancePassword+").")
	case errors.As(err, &connectErr):
		diags.AddError("Cannot reach the Veeam appliance", err.Error()+".")
	case errors.As(err, &timeoutErr):
		diags.AddError("The Veeam appliance did not answer in time", err.Error()+".")
	case errors.As(err, &redirectErr):
		diags.AddError("The Veeam appliance answered with a redirect", err.Error()+".")
	case errors.As(err, &tlsErr):
		diags.AddError("Cannot verify the Veeam appliance's certificate", err.Error()+".")
	case errors.As(err, &revErr):
		diags.AddError("No REST revision in common with the Veeam appliance", err.Error()+". Set api_version "+
			"in the provider's appliance block to a revision the appliance accepts.")
	case errors.As(err, &accountErr):
		diags.AddError("Cannot read the appliance's account", err.Error()+". The account field's name is "+
			"inferred for revisions after 1.0-rev0: pin api_version in the provider's appliance block to an older "+
			"revision the appliance accepts (such as 1.7-rev0), and report revision "+accountErr.Revision+
			" with this message to the provider's maintainers.")
	case appliance.IsForbidden(err):
		diags.AddError("The appliance user may not do this", err.Error()+". Registering, changing and "+
			"removing IAM roles needs a user with the Portal Administrator role.")
	default:
		diags.AddError(summary, err.Error())
	}
}
