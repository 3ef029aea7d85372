# The production record was added in the appliance's console: adopt it by name. The appliance never returns
# external IDs, so the first apply sends the configured one.
import {
  to = vbaws_appliance_role.production
  id = "name:Production backup"
}
