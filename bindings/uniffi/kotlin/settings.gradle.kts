// The Kotlin/JVM library of Charter (Maven: dev.charter:charter), built from
// the uniffi-generated sources in src/main/kotlin. See build.gradle.kts.
pluginManagement {
    repositories {
        gradlePluginPortal()
        google()
        mavenCentral()
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "charter"

// The Android AAR (android/): only where the Android SDK and its Gradle plugin
// are available, as in the release workflow (-PcharterAndroid=true).
if (providers.gradleProperty("charterAndroid").orNull == "true") {
    include(":android")
}
