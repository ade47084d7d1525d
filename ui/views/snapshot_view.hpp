#pragma once
// What the main window needs from a live view: draw a snapshot. Views only draw; they never touch
// the experiment (ARCHITECTURE.md, "Layers").
#include "core/experiment/snapshot.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QString>

namespace cbl::ui {

class SnapshotView {
  public:
    virtual ~SnapshotView() = default;
    virtual void showSnapshot(const SnapshotPtr& s) = 0;
};

/// Device time with a unit that keeps the number readable (s, min, h, days).
QString duration_text(double seconds);
/// Chooses a unit for a time axis spanning up to `max_s`: returns the divisor and sets `unit`.
double time_unit(double max_s, QString* unit);
/// Energy [nJ] with a unit that keeps the number readable (pJ .. J).
QString energy_text(double nJ);
/// A hardware latency [µs] in µs, ms or s with fixed decimals ("1.00 ms", never "1e+03 µs").
QString latency_text(double us);
/// A rate with its noun in the right number: "1 image/s", "2,000 images/s".
QString rate_text(double per_s, const QString& singular = "image",
                  const QString& plural = "images");
/// A parameter-change event ("tile.read_noise_scale = 20") in the schema's words and unit
/// ("read-noise scale = 20×") for the device family `family`.
QString event_label(const std::string& what, const std::string& family);
/// Parameter-change events as chart markers: x = epochs (fractional) or device time [s] / scale.
QList<TimeMarker> event_markers(const Snapshot& s, bool device_time, double time_scale = 1);

} // namespace cbl::ui
