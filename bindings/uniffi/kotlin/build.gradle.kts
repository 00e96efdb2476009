// The Kotlin/JVM library dev.charter:charter: the uniffi-generated Kotlin API
// (src/main/kotlin) with the native library of each desktop platform as a JAR
// resource, where JNA finds it (linux-x86-64/, linux-aarch64/, darwin-x86-64/,
// darwin-aarch64/, win32-x86-64/). The release workflow builds each library on
// its runner, collects them under one directory and runs
//
//   gradle -p bindings/uniffi/kotlin -PcharterNativeDir=<dir> build jvmTest publish
//
// where <dir>/<jna-prefix>/ holds libcharter_uniffi.so / .dylib /
// charter_uniffi.dll. The version is the workspace's ([workspace.package] in
// the root Cargo.toml), so every package carries the same one
// (scripts/check-release-meta.py checks it). The Android AAR is built by the
// release workflow with cargo-ndk and the android/ module (settings.gradle.kts
// includes it with -PcharterAndroid=true, where an Android SDK is installed).
plugins {
    kotlin("jvm") version "2.4.20"
    `java-library`
    `maven-publish`
    signing
}

val repoRoot = projectDir.resolve("../../..").canonicalFile
val cargoToml = repoRoot.resolve("Cargo.toml")

/** A string key of [workspace.package] in the root Cargo.toml (version, repository, license). */
fun workspaceKey(key: String): String =
    Regex("""(?ms)^\[workspace\.package\][^\[]*?^$key\s*=\s*"([^"]+)"""")
        .find(cargoToml.readText())
        ?.groupValues?.get(1)
        ?: error("no $key in [workspace.package] of $cargoToml")

val cargoVersion: String = workspaceKey("version")
val repositoryUrl: String = workspaceKey("repository")

group = "dev.charter"
version = cargoVersion

kotlin {
    jvmToolchain(17)
}

java {
    withSourcesJar()
    withJavadocJar()
}

dependencies {
    // The generated code calls the native library through JNA.
    api("net.java.dev.jna:jna:5.13.0")
    testImplementation(kotlin("reflect"))
}

// The native libraries, one directory per JNA platform prefix. Without
// -PcharterNativeDir the JAR holds the library of this machine only, from the
// workspace's target/release (cargo build --release -p charter-uniffi).
val nativeDir: File =
    (findProperty("charterNativeDir") as String?)?.let { file(it) }
        ?: layout.buildDirectory.dir("jvm-native").get().asFile

val hostNative by tasks.registering(Copy::class) {
    description = "Copies target/release/libcharter_uniffi for this machine under its JNA prefix."
    val os = System.getProperty("os.name").lowercase()
    val arch = System.getProperty("os.arch").let { if (it == "amd64" || it == "x86_64") "x86-64" else it }
    val (prefix, lib) = when {
        os.startsWith("linux") -> "linux-$arch" to "libcharter_uniffi.so"
        os.startsWith("mac") -> "darwin-$arch" to "libcharter_uniffi.dylib"
        os.startsWith("windows") -> "win32-$arch" to "charter_uniffi.dll"
        else -> error("no JNA prefix known for $os")
    }
    from(repoRoot.resolve("target/release/$lib"))
    into(layout.buildDirectory.dir("jvm-native/$prefix"))
    onlyIf { findProperty("charterNativeDir") == null }
}

tasks.processResources {
    dependsOn(hostNative)
    from(nativeDir)
}

// The JVM tests are a program (dev.charter.test.MainKt) that runs every
// vector, the surface drift check and the hostile inputs, and exits non-zero
// on a failure: the same one scripts/test-uniffi.sh runs with kotlinc.
val jvmTest by tasks.registering(JavaExec::class) {
    description = "Runs the vector, surface and hostile-input suites against the packaged library."
    group = "verification"
    dependsOn(tasks.jar)
    classpath = sourceSets.test.get().runtimeClasspath
    mainClass.set("dev.charter.test.MainKt")
    args(repoRoot.path)
    jvmArgs("-Xss16m")
}
tasks.check { dependsOn(jvmTest) }

publishing {
    publications {
        create<MavenPublication>("maven") {
            artifactId = "charter"
            from(components["java"])
            pom {
                name.set("Charter")
                description.set("Offline, in-process authorization for AI agents: capabilities, permits and receipts (Kotlin/JVM binding of charter-core)")
                url.set(repositoryUrl)
                licenses {
                    license {
                        name.set(workspaceKey("license"))
                        url.set("https://www.apache.org/licenses/LICENSE-2.0")
                    }
                }
                developers {
                    developer {
                        name.set("The Charter authors")
                    }
                }
                scm {
                    url.set(repositoryUrl)
                }
            }
        }
    }
    repositories {
        // Maven Central through its staging API: the release workflow sets the
        // URL and credentials from its secrets.
        maven {
            name = "central"
            url = uri(findProperty("charterMavenUrl") as String? ?: layout.buildDirectory.dir("maven-local").get().asFile.toURI().toString())
            credentials {
                username = findProperty("charterMavenUser") as String?
                password = findProperty("charterMavenPassword") as String?
            }
        }
    }
}

signing {
    // Signed when the release workflow provides a key (Maven Central requires it).
    val key = findProperty("charterSigningKey") as String?
    if (key != null) {
        useInMemoryPgpKeys(key, findProperty("charterSigningPassword") as String?)
        sign(publishing.publications["maven"])
    }
}
