#pragma once
// Two crossbars side by side (issue 18 item 4): the main run's heatmaps beside a comparison run's,
// each with its own layer and tab, so a class sees at the same moment how sparsely MCA programs
// its pairs and how densely direct updates do, or how PCM's conductances spread next to RRAM's.
#include "ui/views/snapshot_view.hpp"

#include <QElapsedTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QTimer;

namespace cbl::ui {

class ComparisonRuns;
class HeatmapPanel;

class SideBySide : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit SideBySide(ComparisonRuns* runs, QWidget* parent = nullptr);
    /// The main run's snapshot, drawn on the left (the right follows ComparisonRuns::changed).
    void showSnapshot(const SnapshotPtr& s) override;
    HeatmapPanel* left() const { return left_; }
    HeatmapPanel* right() const { return right_; }
    /// The comparison run drawn on the right (-1: none) and its choice.
    int chosenRun() const;
    void chooseRun(int i);

  protected:
    void showEvent(QShowEvent* e) override;

  private:
    /// The run list as the comparison runs are now, keeping the choice where it still exists.
    void refreshChoices();
    /// The chosen run's newest snapshot on the right, at most ten times a second.
    void showChosen(bool force);

    ComparisonRuns* runs_;
    QComboBox* choice_;
    QLabel* none_;
    HeatmapPanel *left_, *right_;
    SnapshotPtr rightShown_;
    QElapsedTimer rightDrawn_;
    QTimer* catchUp_; ///< draws a snapshot the throttle skipped (a run's last, when it pauses)
};

} // namespace cbl::ui
