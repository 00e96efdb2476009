// The Android library dev.charter:charter-android (AAR): the same generated
// Kotlin API as the JVM library (../src/main/kotlin), with libcharter_uniffi.so
// for arm64-v8a, armeabi-v7a and x86_64, built by
//
//   cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o <jniLibs> build --release -p charter-uniffi
//
// in the release workflow, which passes -PcharterJniLibs=<jniLibs>.
plugins {
    id("com.android.library") version "8.13.0"
    kotlin("android") version "2.4.20"
    `maven-publish`
}

val repoRoot = projectDir.resolve("../../../..").canonicalFile
val jniLibsDir: String =
    findProperty("charterJniLibs") as String?
        ?: error("-PcharterJniLibs=<dir> is required: the cargo-ndk output (arm64-v8a/, armeabi-v7a/, x86_64/)")

group = "dev.charter"
version = rootProject.version

android {
    namespace = "dev.charter"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
    }
    sourceSets["main"].apply {
        kotlin.srcDir(repoRoot.resolve("bindings/uniffi/kotlin/src/main/kotlin"))
        jniLibs.srcDir(jniLibsDir)
    }
    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // JNA's Android build (the AAR carries its libjnidispatch.so per ABI).
    api("net.java.dev.jna:jna:5.13.0@aar")
}

afterEvaluate {
    publishing {
        publications {
            create<MavenPublication>("release") {
                artifactId = "charter-android"
                from(components["release"])
            }
        }
    }
}
