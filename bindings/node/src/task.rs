//! Work that may wait on a store, run on the libuv thread pool (napi
//! `AsyncTask`) so the event loop keeps running: the `*Async` methods.
//! The work owns its inputs (read on the JS thread before it starts); a
//! core error rejects the promise with an error whose `.code` is the stable
//! code, which `charter.js` turns into its family class like any other.

use charter_core::Error as CoreError;
use napi::bindgen_prelude::{AsyncTask, JsObjectValue, JsValue, ToNapiValue, TypeName};
use napi::{Env, Status, Task};

/// One unit of work and how its result becomes a JS value.
pub struct Job<T: Send + 'static, J> {
    work: Option<Box<dyn FnOnce() -> Result<T, CoreError> + Send>>,
    done: fn(T) -> J,
}

/// `work` on the thread pool; `done` maps its result on the JS thread.
pub fn spawn<T: Send + 'static, J: ToNapiValue + TypeName>(
    work: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
    done: fn(T) -> J,
) -> AsyncTask<Job<T, J>> {
    AsyncTask::new(Job {
        work: Some(Box::new(work)),
        done,
    })
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for Job<T, J> {
    type Output = Result<T, CoreError>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "a task ran twice"))?;
        // A panic becomes `internal`, never an unwind across the thread pool.
        Ok(CoreError::catching(work))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        match output {
            Ok(value) => Ok((self.done)(value)),
            Err(e) => {
                let error =
                    env.create_error(napi::Error::new(Status::GenericFailure, e.message()))?;
                let mut error = error;
                error.set_named_property("code", e.code().as_str())?;
                Err(napi::Error::from(error.to_unknown()))
            }
        }
    }
}
