//! The Python form of the shared records (feature `python`, turned on by
//! bindings/python): [`Reason`], [`Decision`], [`PermitClaims`],
//! [`BundleHead`] and [`BundleReport`] are `charter` classes (frozen, with
//! `==` and read-only fields) declared once, here, where the records are.
//! A code crosses as its stable string, as in every other binding.

use std::convert::Infallible;

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::{ApprovalNeed, BundleHead, BundleReport, Decision, ErrorCode, PermitClaims, Reason};

impl<'py> IntoPyObject<'py> for ErrorCode {
    type Target = PyString;
    type Output = Bound<'py, PyString>;
    type Error = Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Infallible> {
        Ok(PyString::intern(py, self.as_str()))
    }
}

/// `repr()` of each record: its `Debug` form, every field shown.
macro_rules! repr {
    ($($record:ty),*) => {$(
        #[pymethods]
        impl $record {
            fn __repr__(&self) -> String {
                format!("{self:?}")
            }
        }
    )*};
}

repr!(
    Reason,
    ApprovalNeed,
    Decision,
    PermitClaims,
    BundleHead,
    BundleReport
);
