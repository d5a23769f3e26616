// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

pragma Singleton
import QtQuick

// One palette and one set of sizes for the whole panel.
QtObject {
    readonly property color background: "#eef1f5"
    readonly property color surface: "#ffffff"
    readonly property color surfaceAlt: "#f7f8fa"
    readonly property color border: "#e1e5eb"
    readonly property color borderStrong: "#c9cfd8"
    readonly property color text: "#1b1f24"
    readonly property color muted: "#687282"
    readonly property color accent: "#2563eb"
    readonly property color accentHover: "#1d4ed8"
    readonly property color accentSoft: "#e8f0fe"
    readonly property color success: "#15803d"
    readonly property color successSoft: "#dcfce7"
    readonly property color danger: "#c62828"
    readonly property color dangerSoft: "#fde8e8"
    readonly property color warning: "#b45309"
    readonly property color warningSoft: "#fef3c7"
    readonly property color neutral: "#5b6472"
    readonly property color neutralSoft: "#eceff3"
    readonly property color codeBackground: "#f6f8fa"

    readonly property string monoFamily: "DejaVu Sans Mono"
    readonly property int fontSize: 13
    readonly property int smallFontSize: 11
    readonly property int titleFontSize: 15
    readonly property int radius: 8
    readonly property int spacing: 12
}
