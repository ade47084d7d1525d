#include "ui/views/side_by_side.hpp"

#include "ui/shell/comparison_runs.hpp"
#include "ui/views/heatmap_panel.hpp"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QTimer>

#include <algorithm>

namespace cbl::ui {

SideBySide::SideBySide(ComparisonRuns* runs, QWidget* parent) : QWidget(parent), runs_(runs) {
    catchUp_ = new QTimer(this);
    catchUp_->setSingleShot(true);
    catchUp_->setInterval(100);
    connect(catchUp_, &QTimer::timeout, this, [this] { showChosen(true); });
    left_ = new HeatmapPanel;
    right_ = new HeatmapPanel;
    choice_ = new QComboBox;
    choice_->setToolTip("The comparison run drawn on the right (Compare menu adds runs)");
    none_ = new QLabel("No comparison run yet: Compare → “Add a run from a preset…” trains one "
                       "beside this run; its crossbar appears here.");
    none_->setWordWrap(true);
    none_->setAlignment(Qt::AlignCenter);
    auto* mainTitle = new QLabel("<b>This run</b>");
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->addWidget(mainTitle, 0, 0);
    grid->addWidget(choice_, 0, 1);
    grid->addWidget(left_, 1, 0);
    grid->addWidget(right_, 1, 1);
    grid->addWidget(none_, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(1, 1);
    setToolTip("Double-click the panel's title bar to float it, then maximise it for a large "
               "side-by-side view.");
    connect(runs_, &ComparisonRuns::changed, this, [this] {
        refreshChoices();
        showChosen(false);
    });
    connect(choice_, &QComboBox::currentIndexChanged, this, [this] { showChosen(true); });
    refreshChoices();
}

void SideBySide::showSnapshot(const SnapshotPtr& s) {
    left_->showSnapshot(s);
}

int SideBySide::chosenRun() const {
    return runs_->count() == 0 ? -1 : choice_->currentIndex();
}

void SideBySide::chooseRun(int i) {
    choice_->setCurrentIndex(i);
}

void SideBySide::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    showChosen(true); // hidden behind a tab it skipped the runs' snapshots
}

void SideBySide::refreshChoices() {
    QStringList labels;
    for (int i = 0; i < runs_->count(); ++i)
        labels << QString("%1. %2").arg(i + 1).arg(runs_->label(i));
    none_->setVisible(labels.isEmpty());
    right_->setVisible(!labels.isEmpty());
    choice_->setEnabled(!labels.isEmpty());
    QStringList now;
    for (int i = 0; i < choice_->count(); ++i)
        now << choice_->itemText(i);
    if (labels == now) return;
    const int keep = std::min(std::max(0, choice_->currentIndex()), int(labels.size()) - 1);
    QSignalBlocker block(choice_);
    choice_->clear();
    choice_->addItems(labels);
    choice_->setCurrentIndex(keep);
    rightShown_.reset();
}

void SideBySide::showChosen(bool force) {
    const int i = chosenRun();
    if (i < 0 || !isVisible()) return;
    const SnapshotPtr s = runs_->snapshot(i);
    if (!s || s == rightShown_) return;
    // A run's snapshots come twenty times a second: a tenth of a second is live enough here.
    if (!force && rightDrawn_.isValid() && rightDrawn_.elapsed() < 100) {
        if (!catchUp_->isActive()) catchUp_->start();
        return;
    }
    rightShown_ = s;
    rightDrawn_.start();
    right_->showSnapshot(s);
}

} // namespace cbl::ui
