//! The case event log, who may see or act on a case, and the one write path every change of a
//! case goes through. A leaf: the features (applying, tracking, the workbench, files) use it;
//! it uses none of them.

#[cfg(feature = "ssr")]
pub mod alerts;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// What a person may do with a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Not theirs to see: answered as "not found", so guessing reveals nothing.
    None,
    /// Sees the case but works on it not (other agents of the unit, the station that forwarded
    /// it, supervisors).
    Read,
    /// The applicant of the case, its responsible agent, or the manager of its unit.
    Act,
}
