#pragma once
// Export of what the lab shows: any view's charts and heatmaps, without the controls around
// them, to PNG (at 2x for print and projectors) or SVG (vector charts; heatmaps embed their image),
// metrics and events to CSV (core/session writes them, in the format of `crossbarlab-cli export`).
// Files are written atomically so a failed export never leaves half a file.
#include "core/experiment/snapshot.hpp"

#include <QString>

class QWidget;

namespace cbl::ui {

/// Renders the charts and heatmaps in `w` (all of `w` if it has none) to a PNG at `scale` x
/// the size of the area they cover. Returns an empty string or the error.
QString export_png(QWidget* w, const QString& path, double scale = 2.0);
/// Renders the same as export_png() through QSvgGenerator. Returns an empty string or the error.
QString export_svg(QWidget* w, const QString& path, const QString& title);
/// metrics.csv: one row per epoch (core/session/csv_export.hpp). Empty string or the error.
QString export_metrics_csv(const Snapshot& s, const QString& path);
/// events.csv: the parameter-change timeline (step, device time, what). Empty or the error.
QString export_events_csv(const Snapshot& s, const QString& path);

} // namespace cbl::ui
