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

// addApplianceError reports an appliance failure under summary, unless it is a refused login, an untrusted
// certificate, no common revision or a user without the right role: those get a summary and advice of their
// own, whatever the caller was doing.
func addApplianceError(diags *diag.Diagnostics, summary string, err error) {
	var auth *appliance.AuthError
	var tlsErr *appliance.TLSError
	var revErr *appliance.RevisionError
	var accountErr *appliance.AccountFieldError
	switch {
	case errors.As(err, &auth):
		diags.AddError("Cannot log in to the Veeam appliance", err.Error()+". Check username and password in "+
			"the provider's appliance block (or "+envApplianceUsername+" and "+envAppliancePassword+").")
	case errors.As(err, &tlsErr):
		diags.AddError("Cannot verify the Veeam appliance's certificate", err.Error()+". Give the appliance's "+
			"certificate, or the CA that issued it, in ca_file or ca_pem of the provider's appliance block.")
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
