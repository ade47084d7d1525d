#pragma once
// The runs of the window side by side (issue 18): the main run and every comparison run with its
// progress, state and best test accuracy, so a run that is paused, still loading or failed says
// so; a comparison run can be removed from here.
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QTableWidget;

namespace cbl::ui {

class ComparisonRuns;

class RunList : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit RunList(ComparisonRuns* runs, QWidget* parent = nullptr);
    /// The main run's snapshot (the comparison runs come from ComparisonRuns::changed).
    void showSnapshot(const SnapshotPtr& s) override;
    int rowCount() const;
    /// The texts of a row (tests): run, progress, state, best test accuracy.
    QStringList rowText(int row) const;

  private:
    void redraw();
    /// Fills row `row` from a run's newest snapshot (nullptr: not built yet).
    void fillRow(int row, const QString& label, const Snapshot* s, bool removable);

    ComparisonRuns* runs_;
    QTableWidget* table_;
    SnapshotPtr main_;
};

/// One line on a run's state: loading, error, diverged, finished, running (with its speed) or
/// paused.
QString run_state_text(const Snapshot& s);

} // namespace cbl::ui
