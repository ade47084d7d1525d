#include "ui/views/run_list.hpp"

#include "ui/shell/comparison_runs.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace cbl::ui {

namespace {
enum Column { run_column, progress_column, state_column, accuracy_column, remove_column };
} // namespace

QString run_state_text(const Snapshot& s) {
    if (!s.loading.empty()) return QString::fromStdString(s.loading) + "…";
    if (!s.error.empty()) return "error: " + QString::fromStdString(s.error);
    if (!s.divergence.empty()) return "diverged (stopped)";
    if (s.finished) return "finished";
    if (s.running) return "running · " + rate_text(s.images_per_second);
    return "paused";
}

RunList::RunList(ComparisonRuns* runs, QWidget* parent) : QWidget(parent), runs_(runs) {
    table_ = new QTableWidget(0, 5);
    table_->setHorizontalHeaderLabels({"run", "progress", "state", "best test accuracy", ""});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(state_column, QHeaderView::Stretch);
    table_->setToolTip("The main run and the comparison runs (Compare menu): each trains on its "
                       "own engine and follows the main run's Play, Pause and Reset.");
    auto* hint = new QLabel("Comparison runs: Compare menu. They follow Play, Pause and Reset of "
                            "the main run and are saved with the session (up to four).");
    hint->setWordWrap(true);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 4, 0);
    lay->addWidget(hint);
    lay->addWidget(table_, 1);
    connect(runs_, &ComparisonRuns::changed, this, &RunList::redraw);
}

void RunList::showSnapshot(const SnapshotPtr& s) {
    main_ = s;
    redraw();
}

int RunList::rowCount() const {
    return table_->rowCount();
}

QStringList RunList::rowText(int row) const {
    QStringList out;
    for (int c : {run_column, progress_column, state_column, accuracy_column}) {
        if (auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(row, c)))
            out.append(bar->text());
        else
            out.append(table_->item(row, c) ? table_->item(row, c)->text() : QString());
    }
    return out;
}

void RunList::redraw() {
    const int rows = 1 + runs_->count();
    if (table_->rowCount() != rows) {
        table_->setRowCount(rows);
        for (int r = 0; r < rows; ++r)
            table_->removeCellWidget(r, remove_column);
    }
    fillRow(0, main_ ? "main: " + QString::fromStdString(main_->config.name) : "main", main_.get(),
            false);
    for (int i = 0; i < runs_->count(); ++i)
        fillRow(1 + i, runs_->label(i), runs_->snapshot(i).get(), true);
}

void RunList::fillRow(int row, const QString& label, const Snapshot* s, bool removable) {
    const auto text = [&](int column, const QString& t) {
        QTableWidgetItem* item = table_->item(row, column);
        if (!item) table_->setItem(row, column, item = new QTableWidgetItem);
        if (item->text() != t) item->setText(t);
    };
    text(run_column, label);
    auto* bar = qobject_cast<QProgressBar*>(table_->cellWidget(row, progress_column));
    if (!bar) {
        bar = new QProgressBar;
        bar->setRange(0, 1000);
        table_->setCellWidget(row, progress_column, bar);
    }
    double best = -1;
    if (s) {
        for (const EpochMetrics& m : s->history)
            best = std::max(best, m.test_accuracy);
        const double epochs = std::max(1, s->epochs_total);
        const double done =
            s->finished
                ? epochs
                : s->epochs_done + (s->epoch_size > 0 ? double(s->position) / s->epoch_size : 0.0);
        bar->setValue(int(1000 * std::clamp(done / epochs, 0.0, 1.0)));
        bar->setFormat(QString("epoch %1 / %2")
                           .arg(std::min(s->epochs_done + (s->finished ? 0 : 1), s->epochs_total))
                           .arg(s->epochs_total));
        text(state_column, run_state_text(*s));
    } else {
        bar->setValue(0);
        bar->setFormat("—");
        text(state_column, "starting…");
    }
    text(accuracy_column, best >= 0 ? QLocale().toString(100 * best, 'f', 2) + " %" : "—");
    if (removable && !table_->cellWidget(row, remove_column)) {
        auto* remove = new QToolButton;
        remove->setText("Remove");
        remove->setToolTip("Stop this comparison run and take it off the charts");
        const int index = row - 1;
        connect(remove, &QToolButton::clicked, this, [this, index] { runs_->remove(index); });
        table_->setCellWidget(row, remove_column, remove);
    }
}

} // namespace cbl::ui
