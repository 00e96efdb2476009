//! Objects passed back in as arguments.
//!
//! wasm-bindgen can borrow an exported object only through a typed parameter,
//! whose glue throws a plain `Error` (no `.code`) on a wrong type, and cannot
//! take "a Capability or its token text". So every exported object registers
//! its value here under a numeric id, exposed to JS as the hidden getter
//! `__charterId`; a parameter is looked up by that id and downcast to the type
//! the parameter needs. A forged id finds nothing or another live object of
//! the expected type (no memory is ever read through it). Freeing the JS
//! object (`free()` or the GC) drops the registration.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use charter_core::Error;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getOwnPropertyDescriptor)]
    fn own_descriptor(v: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
}

use crate::conv::type_name;
use crate::err::invalid;

thread_local! {
    static REGISTRY: RefCell<HashMap<u64, Rc<dyn Any>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u64> = const { Cell::new(1) };
}

/// A registered value; dropping it unregisters.
pub struct Handle<T: 'static> {
    id: u64,
    rc: Rc<T>,
}

impl<T: 'static> Handle<T> {
    pub fn new(value: T) -> Self {
        let rc = Rc::new(value);
        let id = NEXT.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        REGISTRY.with(|r| r.borrow_mut().insert(id, rc.clone() as Rc<dyn Any>));
        Handle { id, rc }
    }

    pub fn id(&self) -> f64 {
        self.id as f64
    }

    pub fn get(&self) -> &T {
        &self.rc
    }
}

impl<T: 'static> Drop for Handle<T> {
    fn drop(&mut self) {
        // try_with: the thread-local may already be gone at teardown.
        let _ = REGISTRY.try_with(|r| {
            if let Ok(mut r) = r.try_borrow_mut() {
                r.remove(&self.id);
            }
        });
    }
}

/// The value of type `T` behind a JS object, if it is one of ours.
pub fn try_lookup<T: 'static>(v: &JsValue) -> Option<Rc<T>> {
    if !v.is_object() {
        return None;
    }
    let key = JsValue::from_str("__charterId");
    // Ours is a getter on the class prototype; an own property is a forgery.
    if !own_descriptor(v, &key).ok()?.is_undefined() {
        return None;
    }
    let id = Reflect::get(v, &key).ok()?.as_f64()?;
    if !(id >= 1.0 && id.fract() == 0.0 && id < 9.0e15) {
        return None;
    }
    let any = REGISTRY.with(|r| r.borrow().get(&(id as u64)).cloned())?;
    any.downcast::<T>().ok()
}

/// As [`try_lookup`], or an `invalid_argument` error naming the parameter.
pub fn lookup<T: 'static>(v: &JsValue, what: &str, class: &str) -> Result<Rc<T>, Error> {
    try_lookup(v).ok_or_else(|| {
        invalid(format!(
            "{what} must be a {class}, got {}",
            if v.is_object() {
                "another object (or a freed one)".to_string()
            } else {
                type_name(v)
            }
        ))
    })
}
