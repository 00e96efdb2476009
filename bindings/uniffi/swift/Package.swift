// swift-tools-version:5.9
// Charter for Swift: the uniffi-generated Swift API (Sources/Charter/Charter.swift)
// over the C declarations of libcharter_uniffi (Sources/CharterFFI), plus one
// hand-written file (Charter+Surface.swift: properties, union overloads,
// error accessors). The records are generated from the core into
// Sources/Charter/CharterCore.swift; both generated files share the C module
// CharterFFI (two headers, one module map).
//
// The Rust library is linked from CHARTER_LIB_DIR when that is set (e.g.
// target/release), otherwise from the linker's default search path; pass
// `-Xlinker -L<dir>` to `swift build` as an alternative.
import PackageDescription

let libDir = Context.environment["CHARTER_LIB_DIR"]
var ffiLinker: [LinkerSetting] = [.linkedLibrary("charter_uniffi")]
if let dir = libDir {
    ffiLinker.append(.unsafeFlags(["-L", dir, "-Xlinker", "-rpath", "-Xlinker", dir]))
}

let package = Package(
    name: "Charter",
    products: [
        .library(name: "Charter", targets: ["Charter"]),
    ],
    targets: [
        .target(
            name: "CharterFFI",
            path: "Sources/CharterFFI",
            linkerSettings: ffiLinker
        ),
        .target(
            name: "Charter",
            dependencies: ["CharterFFI"],
            path: "Sources/Charter"
        ),
        .testTarget(
            name: "CharterTests",
            dependencies: ["Charter"],
            path: "Tests/CharterTests"
        ),
    ]
)
