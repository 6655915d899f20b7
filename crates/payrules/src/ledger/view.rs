//! What people see of the ledger: payments in each vendor's own terms, the request that performs a
//! lifecycle action through the vendor's API, and a world with its credentials taken out. The
//! console and any other shell read these; none of them knows a vendor's records.

use crate::ledger::World;
pub use crate::ledger::shape::{PaymentView, RelationView};
use crate::ledger::vendor::Vendor;
use crate::profile::Profile;
use crate::request::Request;

macro_rules! views {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        /// Every payment of a profile, in the vendor's order.
        pub fn payments(world: &World, profile: Profile) -> Vec<PaymentView> {
            match profile {
                $(Profile::$variant => <crate::vendors::$module::$variant as Vendor>::payments(&world.$module),)*
            }
        }

        /// The request that performs `action` (a lifecycle action) on payment `key` through the vendor's
        /// API, with a credential of the world filled in; `Err` says why the API offers no such request.
        pub fn action_request(world: &World, profile: Profile, key: &str, action: &str) -> Result<Request, String> {
            match profile {
                $(Profile::$variant => {
                    <crate::vendors::$module::$variant as Vendor>::action_request(&world.$module, key, action)
                })*
            }
        }
    };
}

vendors!(views);

/// The same world with every credential removed (for exports and the HTTP world view).
pub fn without_tokens(world: &World) -> World {
    world.without_tokens()
}
