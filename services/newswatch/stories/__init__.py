"""Stories: syndicated copies grouped into stories, and spikes of new stories per watch-list."""
