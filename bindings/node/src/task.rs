//! Work that may wait on a store, run on the libuv thread pool (napi
//! `AsyncTask`) so the event loop keeps running: the `*Async` twins of
//! [`twins!`]. The work owns its inputs (read on the JS thread before it
//! starts); a core error rejects the promise with an error whose `.code` is
//! the stable code, which `charter.js` turns into its family class like any
//! other.

use charter_core::Error as CoreError;
use napi::bindgen_prelude::{AsyncTask, JsObjectValue, JsValue, ToNapiValue, TypeName};
use napi::{Env, Status, Task};

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
