use crate::{core, export, wrap, Result};
use charter_core::{jcs, JsonInput};

export!(
/// A tool call to decide: agent, action, args (JSON object text), resource.
Request(core::Request) {
    #[uniffi::constructor(default(resource = None))]
    /// `args` is the JSON text of an object, parsed strictly (numbers stay
    /// exact; integers beyond ±(2^53−1) are refused).
    fn new(agent: String, action: String, args: String, resource: Option<String>) -> Result<Self> =
        wrap(core::Request::build(agent, action, JsonInput::Text(&args), resource));
    /// Parses `{"agent","action","args","resource"?}` strictly.
    fn from_json(text: String) -> Result<Self> = wrap(core::Request::from_json(&text));
    /// Who asks.
    fn get_agent(&self) -> String = self.0.agent.clone();
    /// The tool or operation.
    fn get_action(&self) -> String = self.0.action.clone();
    /// The arguments as canonical (JCS) JSON text.
    fn get_args(&self) -> Result<String> = wrap(jcs::canonicalize(&self.0.args));
    /// What the call acts on, when given.
    fn get_resource(&self) -> Option<String> = self.0.resource.clone();
    /// The whole request as canonical (JCS) JSON text.
    fn to_json(&self) -> Result<String> = wrap(jcs::canonicalize(&self.0.to_value()));
});
