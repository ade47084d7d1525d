#pragma once
// A config field as the GUI shows it: label, tooltip, display unit, editor range and choices,
// all taken from the core parameter schema (core/config/fields.hpp); nothing is kept here.
#include "core/config/schema.hpp"

#include <QString>
#include <QStringList>

namespace cbl::ui {

struct ParameterInfo {
    const FieldSpec* spec = nullptr; ///< nullptr: not a field of this device family
    QString label;                   ///< short human name
    QString tooltip;                 ///< label, path, meaning, allowed values, live or reset
    QString unit;                    ///< display unit, e.g. "µS"
    double min = 0, max = 0;         ///< editor range (includes an "off" value such as 0)
    QStringList choices;
};

/// The field at a dotted path ("device.nu_mean") of the device family `family`.
ParameterInfo parameter_info(const QString& path, const QString& family = "pcm");
/// The schema's ASCII unit as displayed: "uS" -> "µS", "per uS" -> "per µS".
QString display_unit(const std::string& unit);

} // namespace cbl::ui
