//! Work that may wait on a store, run on the libuv thread pool (napi
//! `AsyncTask`) so the event loop keeps running: the `*Async` twins of
//! [`twins!`]. The work owns its inputs (read on the JS thread before it
//! starts, made owned by [`Owned`]); a core error rejects the promise with an
//! error whose `.code` is the stable code, which `charter.js` turns into its
//! family class like any other.

use std::ops::Range;
use std::sync::Arc;

use charter_core::{call::CapabilityArg, CallOptions, Error as CoreError, Request};
use napi::bindgen_prelude::{AsyncTask, JsObjectValue, JsValue, ToNapiValue, TypeName};
use napi::{Env, Status, Task};
use serde_json::Value;

/// One unit of work, its result the JS value the promise resolves to.
pub struct Job<T>(Option<Box<dyn FnOnce() -> Result<T, CoreError> + Send>>);

/// What an `*Async` method returns: a promise of `T`.
pub type Pool<T> = AsyncTask<Job<T>>;

/// `work` on the thread pool.
pub fn spawn<T>(work: impl FnOnce() -> Result<T, CoreError> + Send + 'static) -> Pool<T>
where
    Job<T>: Task,
{
    AsyncTask::new(Job(Some(Box::new(work))))
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = Result<T, CoreError>;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .0
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "a task ran twice"))?;
        // A panic becomes `internal`, never an unwind across the thread pool.
        Ok(CoreError::catching(work))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<T> {
        output.or_else(|e| {
            let mut error =
                env.create_error(napi::Error::new(Status::GenericFailure, e.message()))?;
            error.set_named_property("code", e.code().as_str())?;
            Err(napi::Error::from(error.to_unknown()))
        })
    }
}

/// An argument read on the JS thread, as work on the thread pool owns it.
pub trait Owned {
    /// What the work owns.
    type Out: Send + 'static;
    /// Takes the value out of the JS call (cloning what JS still holds).
    fn owned(self) -> Self::Out;
}

/// A core value JS holds (the receiver's, a class argument's): cloned.
impl<T: Clone + Send + 'static> Owned for &T {
    type Out = T;
    fn owned(self) -> T {
        self.clone()
    }
}

/// Values the call already owns.
macro_rules! owned_as_is {
    ($($t:ty),*) => { $(impl Owned for $t { type Out = $t; fn owned(self) -> $t { self } })* };
}

owned_as_is!(i64, Option<u64>, Range<u64>, Value, CallOptions);
owned_as_is!(Arc<Request>, CapabilityArg);
